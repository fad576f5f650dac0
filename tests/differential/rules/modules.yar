// Module functions common to YARA 4.2 and 4.5, with -D printing module data.
import "math"
import "hash"

rule uniform_bytes {
  condition:
    filesize > 0 and math.entropy(0, filesize) > 7.9
}

rule known_md5 {
  condition:
    hash.md5(0, 0) == "d41d8cd98f00b204e9800998ecf8427e" and filesize == 0
}

rule mean_high {
  condition:
    filesize > 0 and math.mean(0, filesize) > 100.0
}
