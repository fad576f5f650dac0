import "pe"

rule first_broken {
  strings:
    $a = "x"
  condition:
    $a and and
}

import

rule second_broken { condition: pe. }

private global rule third_fine { condition: pe.number_of_sections > 1 }

global private rule fourth_broken : tag { condition: uint16(0 == 0 }

rule fifth_broken {
  strings:
    $a = "private is a modifier here" private
    $b = 
  condition:
    $a
}

private rule sixth_fine { condition: true }
