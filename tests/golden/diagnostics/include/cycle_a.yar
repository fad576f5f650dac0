include "cycle_b.yar"
rule cycle_a { condition: true }
