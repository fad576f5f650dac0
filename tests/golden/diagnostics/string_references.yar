rule undefined_references {
  strings:
    $a = "a"
  condition:
    $a and $b and #c > 1 and @d[1] == 0 and !e == 2 and any of ($f*)
}

rule unused_strings {
  strings:
    $used = "u"
    $unused = "v"
    $ = "anonymous"
  condition:
    $used
}

rule duplicate_strings {
  strings:
    $a = "one"
    $a = "two"
  condition:
    $a
}

rule anonymous_outside_for {
  strings:
    $a = "a"
  condition:
    $a and $ and # > 0
}

rule them_without_strings { condition: any of them }

rule fine_loops {
  strings:
    $x1 = "x"
    $x2 = "y"
    $ = "z"
  condition:
    for all of ($x*) : ( # > 0 and @[1] < 100 ) and all of ($*)
}
