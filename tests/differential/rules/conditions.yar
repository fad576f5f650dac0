// Conditions, counts and offsets, rule references, private and global rules, empty files:
// which rules print, and in which order, under -n, -c, -l, -t and -i.

private rule has_hello {
  strings:
    $h = "hello"
  condition:
    $h
}

rule uses_private : delta {
  condition:
    has_hello and filesize > 0
}

rule counted {
  strings:
    $h = "hello"
    $o = "o"
  condition:
    #h >= 2 or #o > 5
}

rule at_offsets {
  strings:
    $mz = "MZ"
    $marker = "marker"
  condition:
    $marker at 14 or $mz in (1000..1100)
}

rule empty_file {
  condition:
    filesize == 0
}

rule small_file : epsilon {
  condition:
    filesize < 100
}

rule for_of {
  strings:
    $a = "hello"
    $b = "world"
    $c = "nested"
  condition:
    2 of ($a, $b, $c) and for any of ($a, $b) : ( @ > 0 or $ at 0 )
}

rule not_matching_one {
  condition:
    false
}

rule not_matching_two : delta {
  condition:
    filesize > 100000000
}
