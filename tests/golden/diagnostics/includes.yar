include "include/fine.yar"
include "include/does_not_exist.yar"
include "include/cycle_a.yar"
include "include/broken.yar"

rule after_includes { condition: fine_included }
