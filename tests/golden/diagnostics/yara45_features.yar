// Features of YARA 4.3 to 4.5 that 4.2 lacks; only the mistakes are reported.
rule underscore_strings_need_no_reference {
  strings:
    $a = "used"
    $_only_reported = "not used"
  condition:
    $a
}

rule non_ascii_text_is_a_warning {
  strings:
    $a = "café"
  condition:
    $a
}

rule base64_alphabets_must_agree {
  strings:
    $a = "hello" base64("BACDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") base64wide
  condition:
    $a
}

rule of_at_and_expression_sets {
  strings:
    $a = "a"
    $b = "b"
  condition:
    any of ($a, $b) at 0 and 1 of (true, $a, filesize > 10)
}

rule at_needs_strings { condition: any of (true, false) at 0 }
