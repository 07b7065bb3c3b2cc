/* fuzz_config.c — libFuzzer target: the configuration's text interface
 * (include/netstack/config.h: ns_config_set, ns_config_format,
 * ns_config_validate), the one path `--set NAME=VALUE`, packetdrill's
 * sysctls, host profiles and pcap sidecars all take, and then a stack
 * built from what it accepted.
 *
 * Input: lines. A line whose first byte is below 0x80 sets field number
 * (byte % fields) to the rest of the line; any other line is NAME=VALUE
 * after that byte (a name the table may not have).
 * Checks, beyond no crash or sanitizer report:
 *   - ns_config_set returns 0, -ENOENT, -EINVAL or -ERANGE; on an error
 *     the configuration is unchanged and the message is not empty;
 *   - what it accepted formats back to text that sets the same field to
 *     the same bytes (ns_config_format round trip);
 *   - a configuration ns_config_validate accepts makes a stack
 *     (ns_stack_new), which frees to nothing.
 */
#include <errno.h>

#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t nf;
    const struct ns_config_field *fields = ns_config_fields(&nf);
    struct ns_config cfg, before, again;
    memset(&cfg, 0, sizeof cfg);
    ns_config_default(&cfg);
    char line[512], err[256], text[256];
    for (size_t i = 0; i < size;) {
        size_t j = i;
        while (j < size && data[j] != '\n')
            j++;
        size_t n = j - i;
        const uint8_t *l = data + i;
        i = j + 1;
        if (n == 0 || n >= sizeof line)
            continue;
        memcpy(line, l + 1, n - 1);
        line[n - 1] = '\0';
        const char *name, *value;
        if (l[0] < 0x80) {
            name = fields[l[0] % nf].name;
            value = line;
        } else {
            char *eq = strchr(line, '=');
            if (!eq)
                continue;
            *eq = '\0';
            name = line;
            value = eq + 1;
        }
        /* (An embedded NUL ends the text early, as in any C string.) */
        memcpy(&before, &cfg, sizeof cfg); /* memcpy: padding too, for memcmp */
        err[0] = '\0';
        int rc = ns_config_set(&cfg, name, value, err, sizeof err);
        if (rc != 0) {
            if (rc != -ENOENT && rc != -EINVAL && rc != -ERANGE)
                fz_fail("set: a return the contract does not name");
            if (memcmp(&before, &cfg, sizeof cfg) != 0)
                fz_fail("set: a refused value changed the configuration");
            if (!err[0])
                fz_fail("set: refused without a message");
            continue;
        }
        const struct ns_config_field *f = ns_config_field_find(name);
        if (!f)
            fz_fail("set: accepted a name the table does not have");
        if (ns_config_format(&cfg, f, text, sizeof text) >= (int)sizeof text)
            continue; /* longer than this buffer: nothing to compare */
        memcpy(&again, &before, sizeof again);
        if (ns_config_set(&again, f->name, text, err, sizeof err) != 0)
            fz_fail("format: the text written is refused");
        if (memcmp(&again, &cfg, sizeof cfg) != 0)
            fz_fail("format: the text written sets a different value");
    }
    err[0] = '\0'; /* each verdict below must write its own message */
    if (ns_config_validate(&cfg, err, sizeof err) == 0) {
        err[0] = '\0';
        struct ns_stack *s = ns_stack_new(&cfg, 0, err, sizeof err);
        if (s) {
            if (ns_stack_mem_in_use(s) != 0)
                fz_fail("a new stack holds buffer memory");
            ns_stack_free(s);
        } else if (!err[0]) {
            fz_fail("stack_new: refused without a message");
        }
    } else if (!err[0]) {
        fz_fail("validate: refused without a message");
    }
    return 0;
}
