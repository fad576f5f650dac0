include "cycle_a.yar"
rule cycle_b { condition: true }
