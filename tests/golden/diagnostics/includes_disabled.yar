// options: no_includes
include "include/fine.yar"

rule still_parsed { condition: true }
