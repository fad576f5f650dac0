rule percentage_out_of_range {
  strings:
    $a = "a"
  condition:
    150% of them
}

rule for_of_needs_strings { condition: for any of (r1, r2) : ( true ) }

rule for_missing_colon {
  strings:
    $a = "a"
  condition:
    for any of them ( $ )
}

rule count_after_comparison {
  strings:
    $a = "a"
  condition:
    1 < 2 of them
}

rule wildcard_in_expression_set {
  strings:
    $a1 = "a"
  condition:
    any of ($a*, true)
}

rule for_in_missing_in { condition: for any i (1..2) : ( i > 0 ) }

rule nested_for_of {
  strings:
    $a = "a"
  condition:
    for any of them : ( for all of ($a) : ( $ ) )
}

rule two_variables_over_a_range { condition: for any i, j in (1..2) : ( i > j ) }

rule literal_iterable { condition: for any i in 5 : ( i > 0 ) }
