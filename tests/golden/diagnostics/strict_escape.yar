// options: strict_escape
rule unknown_regex_escapes {
  strings:
    $a = /a\kb\d\.c\// nocase
    $b = /\q\w+/
  condition:
    $a and $b and "x" matches /\y/
}
