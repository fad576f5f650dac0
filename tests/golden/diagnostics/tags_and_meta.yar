rule duplicate_tags : apt apt malware malware { condition: true }

rule bad_meta_value {
  meta:
    score = 1.5
  condition:
    true
}

rule missing_meta_value {
  meta:
    author =
  condition:
    true
}

rule fine_meta {
  meta:
    a = "text"
    b = -12
    c = true
  condition:
    true
}

rule empty_meta {
  meta:
  condition:
    true
}
