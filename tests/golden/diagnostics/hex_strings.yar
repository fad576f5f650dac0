rule missing_brace {
  strings:
    $a = { AA BB
  condition:
    $a
}

rule stray_in_hex {
  strings:
    $a = { AA ZZ BB }
  condition:
    $a
}

rule fine_hex {
  strings:
    $a = { AA ?? [2-4] ( BB | CC ) // comment }
           DD /* } */ }
  condition:
    $a
}
