// Each broken rule is reported; the parser resumes at the next rule.
rule missing_operand {
  condition:
    filesize > 10 and
}

rule fine_one { condition: true }

rule bad_header ( condition: true }

rule missing_condition {
  meta:
    author = "x"
}

private rule chained_comparison { condition: 1 < 2 < 3 }

global rule boolean_operand { condition: (1 == 1) + 2 == 3 }

rule unclosed_paren { condition: (true and (false or true) }

rule keyword_as_name { condition: true } rule condition { condition: true }

rule matches_needs_regex { condition: "abc" matches "b" }

rule fine_two { condition: false }
