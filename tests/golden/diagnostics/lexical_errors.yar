rule stray_character {
  condition:
    true ` false
}

rule bad_escapes {
  strings:
    $a = "tab\there, bad \q and \x4"
  condition:
    $a
}

rule overflow { condition: 99999999999999999999 > 0 and 0x8000000000000000 > 0 }

rule unterminated_text {
  strings:
    $a = "no end
  condition:
    $a
}

rule long_name_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa { condition: true }

rule non_ascii { condition: true é }

rule unterminated_regex {
  strings:
    $re = /abc
  condition:
    $re
}

rule unterminated_comment { condition: true } /* this comment
never ends
