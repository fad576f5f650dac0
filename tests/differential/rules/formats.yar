// Output formats: tags, every kind of metadata, text/wide/nocase/hex/regex/xor strings, match
// data with bytes to escape, long matches, anonymous strings.

rule text_plain : alpha {
  meta:
    author = "vigie tests"
    quoted = "a \"quoted\" word, a back\\slash, a tab\tand a newline\n"
    count = 42
    negative = -7
    enabled = true
    disabled = false
  strings:
    $hello = "hello"
    $fox = "quick brown fox"
    $ = "lazy dog"
  condition:
    any of them
}

rule wide_and_nocase : alpha beta {
  strings:
    $w = "hello world" wide
    $aw = "Secret" ascii wide
    $nc = "HELLO WORLD" nocase
  condition:
    any of them
}

rule hex_patterns : beta {
  meta:
    kind = "hex"
  strings:
    $mz = { 4D 5A 90 00 }
    $jump = { 4D 5A [2-4] 00 00 }
    $alt = { ( DE AD | CA FE ) BE EF }
    $wild = { 00 01 ?? 03 }
    $nib = { F? FF }
  condition:
    any of them
}

rule regex_patterns {
  strings:
    $re = /pass(word)?=[a-z0-9]+/
    $dot = /b.own/
    $esc = /back\\slash\ttab/
    $bytes = /\x7f\xe9tab/
    $ci = /QUICK/ nocase
  condition:
    any of them
}

rule xor_strings : gamma {
  strings:
    $x = "This program cannot be run" xor
    $y = "evil payload" xor(0x70-0x7f)
  condition:
    any of them
}

rule escapes_in_data {
  strings:
    $a = { 7F E9 74 61 62 09 68 65 72 65 00 01 02 FF }
    $b = "marker\r\n"
    $c = { 1B 5B 30 6D }
  condition:
    any of them
}

rule long_match {
  strings:
    $run = /A{100,110}BCD/
    $hex = { 41 41 41 41 [100-200] 42 43 44 }
  condition:
    any of them
}

rule never_matches : alpha {
  meta:
    why = "for -n"
  strings:
    $nope = "this text is nowhere"
  condition:
    $nope
}
