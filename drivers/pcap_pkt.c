/* pcap_pkt.c — see pcap_pkt.h. */
#include "drivers/pcap_pkt.h"

int ns_pp_parse(const uint8_t *pkt, size_t len, struct ns_wire *o)
{
    return ns_wire_parse(pkt, len, o) == 0 && o->err == NS_WIRE_OK ? 0 : -1;
}
