rule modifier_combinations {
  strings:
    $a = "xor and nocase" xor nocase
    $b = "base64 and fullword" base64 fullword
    $c = "base64wide and xor" base64wide xor
    $d = { AA BB } wide nocase
    $e = /regex/ xor base64
    $f = "twice" wide wide
  condition:
    any of them
}

rule modifier_arguments {
  strings:
    $a = "bad order" xor(10-2)
    $b = "too big" xor(256)
    $c = "short alphabet" base64("ABC")
    $d = "fine" xor(0x01-0xff) ascii wide private
  condition:
    any of them
}

rule modifier_syntax {
  strings:
    $a = "negative" xor(-1)
  condition:
    $a
}

rule empty_strings {
  strings:
    $a = ""
    $b = { }
  condition:
    $a and $b
}
