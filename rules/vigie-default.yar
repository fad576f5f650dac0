/*
 * vigie's default rules: the compromises vigie is built to find first.
 *
 * Written for vigie from published facts (ANSSI report CERTFR-2021-CTI-005 on the Sandworm
 * intrusion set in Centreon servers, and ANSSI's reporting on Ryuk), not taken from any public
 * rule set. Each rule names its source in `reference` and says what it looks for in
 * `description`; `score` (0-100) ranks findings.
 */

import "hash"

rule Sandworm_PAS_Webshell_Known_Sample : webshell sandworm
{
    meta:
        description = "P.A.S. 3.1.4 webshell sample described by ANSSI (exact file)"
        reference = "ANSSI CERTFR-2021-CTI-005"
        score = 100
    condition:
        filesize > 20KB and filesize < 200KB and
        hash.sha256(0, filesize) == "893750547255b848a273bd1668e128a5e169011e79a7f5c7bb86cc5d7b2153bc"
}

rule Sandworm_PAS_Webshell_Traits : webshell sandworm
{
    meta:
        description = "PHP file shaped like the P.A.S. webshell: cookie-driven, base64 payload decrypted with an MD5-derived key stream"
        reference = "ANSSI CERTFR-2021-CTI-005"
        score = 75
    strings:
        $php = "<?php" nocase
        $cookie = "$_COOKIE" ascii
        $isset = "isset(" ascii nocase
        $md5 = "md5(" ascii nocase
        $b64 = "base64_decode" ascii nocase
        $field = "g__g_" ascii
    condition:
        $php at 0 and filesize > 20KB and filesize < 200KB and
        #cookie > 10 and #isset > 10 and $md5 and $b64 and
        ($field or #cookie > 40)
}

rule Sandworm_Exaramel_Linux_Known_Samples : backdoor sandworm
{
    meta:
        description = "Exaramel Linux backdoor samples described by ANSSI (exact files)"
        reference = "ANSSI CERTFR-2021-CTI-005"
        score = 100
    condition:
        uint32(0) == 0x464c457f and filesize < 20MB and
        (hash.sha256(0, filesize) == "e1ff729f45b587a5ebbc8a8a97a7923fc4ada14de4973704c9b4b89c50fd1146" or
         hash.sha256(0, filesize) == "c39b4105e1b9da1a9cccb1dace730b1c146496c591ce0927fb035d48e9cb5c0f")
}

rule Sandworm_Exaramel_Linux_Traits : backdoor sandworm
{
    meta:
        description = "ELF program with Exaramel's configuration key, lock sockets and persistence names"
        reference = "ANSSI CERTFR-2021-CTI-005"
        score = 90
    strings:
        $rc4_key = "odhyrfjcnfkdtslt" ascii
        $sock1 = "/tmp/.applock" ascii
        $sock2 = "/tmp/.applocktx" ascii
        $persist1 = "/etc/systemd/system/syslogd.service" ascii
        $persist2 = "/etc/init/syslogd.conf" ascii
        $persist3 = "/etc/init.d/syslogd" ascii
        $persist4 = "/etc/rc.d/syslogger" ascii
        $cfg1 = "configtx.json" ascii
        $cfg2 = "respawner.sh" ascii
        $go = "Go build ID" ascii
    condition:
        uint32(0) == 0x464c457f and
        ($rc4_key or (1 of ($sock*) and 2 of ($persist*)) or (all of ($sock*) and 1 of ($cfg*))) and
        ($go or $rc4_key)
}

rule Ryuk_Ransom_Note : ransomware ryuk
{
    meta:
        description = "Ryuk ransom note or a program that writes one"
        reference = "ANSSI reporting on Ryuk (2021)"
        score = 80
    strings:
        $note1 = "RyukReadMe.txt" ascii wide nocase
        $note2 = "RyukReadMe.html" ascii wide nocase
        $ext = ".RYK" ascii wide
        $text1 = "balance of shadow universe" ascii wide nocase
        $text2 = "Ryuk" ascii wide
    condition:
        filesize < 10MB and (1 of ($note*) or ($ext and $text2)) and
        (uint16(0) == 0x5a4d or uint32(0) == 0x464c457f or $text1 or #text2 > 1)
}
