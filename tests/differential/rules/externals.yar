// External variables (run with -d ext_int=5 -d ext_str=abc -d ext_bool=true -d ext_float=1.5).

rule ext_integer {
  condition:
    ext_int == 5
}

rule ext_string {
  condition:
    ext_str == "abc" and ext_str contains "b"
}

rule ext_boolean {
  condition:
    ext_bool
}

rule ext_float_cmp {
  condition:
    ext_float > 1.0 and ext_float < 2.0
}

rule ext_mixed {
  strings:
    $h = "hello"
  condition:
    $h and ext_int > 1
}
