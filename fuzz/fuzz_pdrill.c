/* fuzz_pdrill.c — libFuzzer target: the packetdrill script parser and
 * runner (pdrill/). The input is a script: it is parsed and, when it
 * parses, run against a fresh stack on the virtual clock (nothing touches
 * the host: shell commands are only ever mapped onto the configuration,
 * -w is not reachable from a script). Checks: no crash, no sanitizer
 * report, no leak, and the outcome is one of PASS/FAIL/ERROR with a
 * report for anything but PASS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdrill/pdrill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    struct pd_script sc;
    char err[512];
    if (pd_parse("fuzz.pkt", (const char *)data, size, NULL, 0, &sc, err, sizeof err) == 0)
        pd_script_free(&sc);
    else if (!err[0])
        abort(); /* a parse error must say why */
    struct pd_options o;
    pd_options_default(&o);
    struct pd_result *res = malloc(sizeof *res);
    if (!res)
        return 0;
    pd_run_text("fuzz.pkt", (const char *)data, size, &o, NULL, 0, res);
    if (res->status != PD_PASS && res->status != PD_FAIL && res->status != PD_ERROR)
        abort();
    if (res->status != PD_PASS && !res->report[0])
        abort(); /* every failure is reported */
    free(res);
    return 0;
}
