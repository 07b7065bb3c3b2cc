/* xfer_report.c — simloss's text report and JSON object (xfer_report.h).
 * Every number comes from the xfer_result; only the wall-clock figures
 * (the last text line, the wall_seconds / speedup / payload per wall
 * second keys) differ between identical runs. */
#include "lab/xfer_report.h"
#include "sim/rate_trace.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

const char *xfer_report_cc(const struct xfer_result *r, char *buf, size_t n)
{
    size_t off = 0;
    if (n)
        buf[0] = '\0';
    for (unsigned i = 0; i < r->flows; i++) {
        const char *c = r->flow[i].cc[0] ? r->flow[i].cc : "?";
        bool seen = false;
        for (unsigned j = 0; j < i && !seen; j++)
            seen = strcmp(r->flow[j].cc[0] ? r->flow[j].cc : "?", c) == 0;
        if (seen || off + 1 >= n)
            continue; /* full: buf + off stays inside buf (truncated, terminated) */
        int w = snprintf(buf + off, n - off, "%s%s", off ? "+" : "", c);
        if (w > 0)
            off += (size_t)w < n - off ? (size_t)w : n - off - 1;
    }
    return buf;
}

/* The one way a JSON string is written: quoted, with '"', '\\' and
 * control characters escaped (RFC 8259 7) and any byte that is not part
 * of valid UTF-8 (a file name can hold anything) replaced by U+FFFD, so
 * the object always parses. */
static void json_str(FILE *o, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    fputc('"', o);
    while (*u) {
        unsigned char c = *u;
        if (c < 0x80) {
            if (c == '"' || c == '\\')
                fprintf(o, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", o);
            else if (c == '\t')
                fputs("\\t", o);
            else if (c == '\r')
                fputs("\\r", o);
            else if (c < 0x20)
                fprintf(o, "\\u%04x", c);
            else
                fputc(c, o);
            u++;
            continue;
        }
        /* Length and the allowed range of the second byte (RFC 3629 4:
         * no overlong forms, no surrogates, nothing above U+10FFFF). */
        unsigned n = 0, lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf)
            n = 1;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        bool ok = n > 0 && u[1] >= lo && u[1] <= hi;
        for (unsigned k = 2; ok && k <= n; k++)
            ok = u[k] >= 0x80 && u[k] <= 0xbf;
        if (!ok) {
            fputs("\\ufffd", o);
            u++;
            continue;
        }
        fwrite(u, 1, n + 1, o);
        u += n + 1;
    }
    fputc('"', o);
}

/* "key": "value", (a string member and the separator after it). */
static void json_kv(FILE *o, const char *key, const char *val)
{
    fprintf(o, "\"%s\": ", key);
    json_str(o, val);
    fputs(", ", o);
}

/* Where the data went: every flow's way ("down", "up"), or "mixed" (a
 * dumbbell with flows both ways). From the flows, so a dumbbell's header
 * says what its --flow specs did. */
static const char *direction(const struct xfer_result *r)
{
    unsigned up = 0;
    for (unsigned i = 0; i < r->flows; i++)
        up += r->flow[i].upload;
    return up == 0 ? "down" : up == r->flows ? "up" : "mixed";
}

static bool corrupted(const struct xfer_result *r)
{
    for (unsigned i = 0; i < r->flows; i++)
        if (r->flow[i].mismatch)
            return true;
    return false;
}

/* One word for the data line and the JSON "outcome". */
static const char *outcome(const struct xfer_result *r)
{
    if (r->intact)
        return "intact";
    if (corrupted(r))
        return "corrupted";
    return xfer_unfinished(r) ? "unfinished" : "failed";
}

static uint64_t timeouts(const struct xfer_result *r)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < r->flows; i++)
        n += r->flow[i].err == -ETIMEDOUT;
    return n;
}

struct totals {
    uint64_t retrans, fast, rto, spurious, sack_rec;
    double goodput_bps;     /* all flows' bytes over the run's duration */
};

static struct totals totals(const struct xfer_result *r)
{
    struct totals t = {0};
    for (unsigned i = 0; i < r->flows; i++) {
        const struct ns_tcp_info *ti = &r->flow[i].info;
        if (!r->flow[i].info_ok)
            continue;
        t.retrans += ti->retransmits;
        t.fast += ti->fast_retransmits;
        t.rto += ti->rto_timeouts;
        t.spurious += ti->spurious_rtos;
        t.sack_rec += ti->sack_recoveries;
    }
    if (r->duration > 0)
        t.goodput_bps = (double)r->payload_bytes * 8 / ((double)r->duration / 1e9);
    return t;
}

static void fmt_rate(char *b, size_t n, double bps)
{
    if (bps >= 1e9)
        snprintf(b, n, "%.3f Gbit/s", bps / 1e9);
    else if (bps >= 1e6)
        snprintf(b, n, "%.3f Mbit/s", bps / 1e6);
    else
        snprintf(b, n, "%.3f kbit/s", bps / 1e3);
}

static void fmt_pct(char *b, size_t n, double p)
{
    snprintf(b, n, "%.4g%%", p * 100);
}

/* ---- queues, traces, ECN and dumbbells (printed only when used) ---- */

bool xfer_report_extended(const struct xfer_params *p)
{
    const struct ns_sim_link_params *a = &p->to_client, *b = &p->to_server;
    return p->report_queues || p->pairs || p->ecn || a->qdisc.kind || b->qdisc.kind || a->trace || b->trace ||
           a->queue_bytes || b->queue_bytes;
}

static const char *qname(const struct ns_sim_link_params *l)
{
    return ns_sim_qdisc_name(l->qdisc.kind);
}

static double flow_goodput(const struct xfer_flow *f)
{
    return f->done_at ? (double)f->bytes * 8 / ((double)f->done_at / 1e9) : 0.0;
}

static void ext_queue_text(FILE *out, const char *dir, const struct ns_sim_link_params *l, bool have,
                           const struct ns_sim_qdisc_stats *q, const struct ns_sim_link_stats *st)
{
    fprintf(out, "queue:       %s %s", dir, qname(l));
    if (l->qdisc.kind == NS_SIM_QDISC_CODEL || l->qdisc.kind == NS_SIM_QDISC_FQ_CODEL)
        fprintf(out, " (target %.3g ms, interval %.3g ms%s)",
                (double)(l->qdisc.target ? l->qdisc.target : 5 * NS_MSEC) / 1e6,
                (double)(l->qdisc.interval ? l->qdisc.interval : 100 * NS_MSEC) / 1e6,
                l->qdisc.ecn ? ", ECN marks" : "");
    if (l->queue_bytes)
        fprintf(out, ", limit %" PRIu64 " bytes", l->queue_bytes);
    else
        fprintf(out, ", limit %u packets", l->queue_limit);
    fprintf(out, ": %" PRIu64 " drops (%" PRIu64 " by AQM), %" PRIu64 " CE marks", st->queue_drops,
            st->aqm_drops, st->marked);
    if (have)
        fprintf(out, ", peak %" PRIu64 " packets, longest sojourn %.3f ms", q->peak_pkts,
                (double)q->max_sojourn / 1e6);
    fprintf(out, "\n");
}

static void ext_text(FILE *out, const struct xfer_params *p, const struct xfer_result *r)
{
    if (p->pairs) {
        unsigned up = 0;
        for (unsigned i = 0; i < p->pairs; i++)
            up += p->pair[i].upload;
        fprintf(out, "topology:    dumbbell, %u pairs (%u sending towards the servers), one "
                "bottleneck each way\n", p->pairs, up);
    }
    const struct ns_sim_link_params *tr = p->to_client.trace ? &p->to_client : p->to_server.trace ? &p->to_server : NULL;
    if (tr) {
        char b[32];
        fmt_rate(b, sizeof b, (double)ns_sim_rate_trace_mean_bps(tr->trace));
        fprintf(out, "trace:       %s towards the %s: mean %s, period %.3f s\n",
                p->trace_name ? p->trace_name : "(trace)", tr == &p->to_client ? "client" : "server",
                b, (double)ns_sim_rate_trace_period(tr->trace) / 1e9);
    }
    ext_queue_text(out, "to client", &p->to_client, r->have_q_to_client, &r->q_to_client,
                   p->pairs ? &r->bn_to_client : &r->to_client);
    ext_queue_text(out, "to server", &p->to_server, r->have_q_to_server, &r->q_to_server,
                   p->pairs ? &r->bn_to_server : &r->to_server);
    if (p->ecn)
        fprintf(out, "ecn:         %s\n", r->ecn > 0 ? "the stacks negotiate ECN (tcp_ecn)"
                                                     : "this core has no tcp_ecn: packets are Not-ECT, "
                                                       "so AQM drops instead of marking");
    const struct xfer_qdelay *q = &r->qdelay;
    if (q->samples)
        fprintf(out, "delay:       RTT over base RTT p50 %.3f, p95 %.3f, p99 %.3f (%" PRIu64
                " data packets; longest queueing %.3f ms)\n",
                q->p50, q->p95, q->p99, q->samples, (double)q->max / 1e6);
    if (!p->pairs && r->flows < 2)
        return;
    for (unsigned i = 0; i < r->flows; i++) {
        const struct xfer_flow *f = &r->flow[i];
        char b[32];
        fmt_rate(b, sizeof b, flow_goodput(f));
        fprintf(out, "flow %-2u      %s, %s, RTT %.3f ms: %s, %" PRIu64 " retransmits",
                i, f->cc, f->upload ? "up" : "down",
                (double)f->base_rtt / 1e6, f->done_at ? b : "did not finish",
                f->info_ok ? f->info.retransmits : 0);
        if (f->qdelay.samples)
            fprintf(out, ", RTT/base p50 %.3f p95 %.3f p99 %.3f", f->qdelay.p50, f->qdelay.p95,
                    f->qdelay.p99);
        fprintf(out, "\n");
    }
}

static void ext_json(FILE *out, const struct xfer_params *p, const struct xfer_result *r)
{
    const struct ns_sim_link_params *tr = p->to_client.trace ? &p->to_client : p->to_server.trace ? &p->to_server : NULL;
    const struct ns_sim_link_stats *c = p->pairs ? &r->bn_to_client : &r->to_client,
                                *s = p->pairs ? &r->bn_to_server : &r->to_server;
    json_kv(out, "topology", p->pairs ? "dumbbell" : "link");
    json_kv(out, "qdisc", qname(&p->to_client));
    fprintf(out, "\"queue_bytes\": %" PRIu64 ", \"ecn\": ", p->to_client.queue_bytes);
    if (r->ecn < 0)
        json_str(out, "unsupported");
    else
        fputs(r->ecn > 0 ? "true" : "false", out);
    fprintf(out, ", \"aqm_drops\": %" PRIu64 ", \"ce_marks\": %" PRIu64 ", ",
            c->aqm_drops + s->aqm_drops, c->marked + s->marked);
    if (tr) {
        json_kv(out, "trace", p->trace_name ? p->trace_name : "");
        fprintf(out, "\"trace_mean_bps\": %" PRIu64 ", ", ns_sim_rate_trace_mean_bps(tr->trace));
    }
    const struct xfer_qdelay *q = &r->qdelay;
    fprintf(out, "\"rtt_ratio_p50\": %.6f, \"rtt_ratio_p95\": %.6f, \"rtt_ratio_p99\": %.6f, "
            "\"qdelay_max_ms\": %.6f, \"flow_detail\": [",
            q->p50, q->p95, q->p99, (double)q->max / 1e6);
    for (unsigned i = 0; i < r->flows; i++) {
        const struct xfer_flow *f = &r->flow[i];
        fprintf(out, "%s{", i ? ", " : "");
        json_kv(out, "cc", f->cc);
        json_kv(out, "direction", f->upload ? "up" : "down");
        fprintf(out, "\"rtt_ms\": %.6f, "
                "\"goodput_bps\": %.0f, \"retransmits\": %" PRIu64 ", \"intact\": %s, "
                "\"rtt_ratio_p50\": %.6f, \"rtt_ratio_p95\": %.6f, \"rtt_ratio_p99\": %.6f}",
                (double)f->base_rtt / 1e6, flow_goodput(f), f->info_ok ? f->info.retransmits : 0,
                f->intact ? "true" : "false", f->qdelay.p50, f->qdelay.p95, f->qdelay.p99);
    }
    fprintf(out, "], ");
}

void xfer_report_text(FILE *out, const struct xfer_params *p, const struct xfer_result *r,
                      double wall)
{
    uint64_t conn_timeouts = timeouts(r);
    const struct ns_sim_link_params *l = &p->to_client;
    struct totals t = totals(r);
    char b1[32], b2[32], b3[32], b4[32], b5[32], ccb[64];
    double sim_s = (double)r->duration / 1e9;
    fprintf(out, "simloss: %" PRIu64 " bytes %s over IPv%d, %u flow%s, %s, seed %" PRIu64 "\n", p->bytes,
           !strcmp(direction(r), "up") ? "upload" : !strcmp(direction(r), "down") ? "download" : "download and upload",
           p->v6 ? 6 : 4, r->flows, r->flows > 1 ? "s" : "",
           xfer_report_cc(r, ccb, sizeof ccb), p->seed);
    if (l->rate_bps)
        fmt_rate(b1, sizeof b1, (double)l->rate_bps);
    else
        snprintf(b1, sizeof b1, "unlimited rate");
    fmt_pct(b2, sizeof b2, l->drop);
    fmt_pct(b3, sizeof b3, l->dup);
    fmt_pct(b4, sizeof b4, l->reorder);
    fmt_pct(b5, sizeof b5, l->corrupt);
    fprintf(out, "link:        %s, %.3f ms one-way (RTT %.3f ms), jitter %.3f ms, queue %u packets, "
           "MTU %u\n",
           b1, (double)l->delay / 1e6, 2 * (double)l->delay / 1e6, (double)l->jitter / 1e6,
           l->queue_limit, p->mtu);
    fprintf(out, "faults:      drop %s, dup %s, reorder %s, corrupt %s (each way)\n", b2, b3, b4, b5);
    const char *o = outcome(r);
    fprintf(out, "data:        %" PRIu64 " of %" PRIu64 " bytes, %s\n", r->payload_bytes,
           p->bytes * r->flows,
           r->intact ? "intact (every byte checked against what was sent)"
           : !strcmp(o, "corrupted") ? "CORRUPTED (a byte differed from what was sent)"
           : !strcmp(o, "unfinished") ? "unfinished (every byte so far checked and intact)"
                                      : "incomplete (the connection failed; every byte so far intact)");
    for (unsigned i = 0; i < r->flows; i++)
        if (r->flow[i].err)
            fprintf(out, "error:       flow %u: %s\n", i, strerror(-r->flow[i].err));
    fprintf(out, "time:        %.6f s simulated%s\n", sim_s,
            r->intact ? "" : xfer_unfinished(r) ? " (the time limit; --time-limit raises it)" : " (did not complete)");
    fmt_rate(b1, sizeof b1, t.goodput_bps);
    if (l->rate_bps)
        fprintf(out, "goodput:     %s, %.1f%% of the link rate\n", b1,
               100 * t.goodput_bps / (double)l->rate_bps);
    else
        fprintf(out, "goodput:     %s\n", b1);
    fprintf(out, "retransmits: %" PRIu64 " segments; fast retransmits %" PRIu64 ", RTO timeouts %" PRIu64
           ", spurious RTOs %" PRIu64 "\n",
           t.retrans, t.fast, t.rto, t.spurious);
    fprintf(out, "recovery:    %" PRIu64 " SACK recoveries, %" PRIu64 " connections timed out\n",
           t.sack_rec, conn_timeouts);
    for (unsigned i = 0; i < r->flows; i++) {
        const struct xfer_flow *f = &r->flow[i];
        char who[16] = "sender:     ";
        if (r->flows > 1)
            snprintf(who, sizeof who, "flow %-6u", i);
        if (!f->info_ok) {
            fprintf(out, "%s no state (the connection was gone before the end)\n", who);
            continue;
        }
        char ss[32];
        if (f->info.ssthresh >= (1u << 30))
            snprintf(ss, sizeof ss, "unset");
        else
            snprintf(ss, sizeof ss, "%u B", f->info.ssthresh);
        fprintf(out, "%s final cwnd %u B, ssthresh %s, srtt %.3f ms", who, f->info.cwnd, ss,
               (double)f->info.srtt / 1e6);
        if (!f->info_final)
            fprintf(out, " (at the time limit)");
        if (r->flows > 1 && f->done_at) {
            fmt_rate(b1, sizeof b1, (double)f->bytes * 8 / ((double)f->done_at / 1e9));
            fprintf(out, ", done at %.3f s (%s)", (double)f->done_at / 1e9, b1);
        }
        fprintf(out, "\n");
    }
    if (r->flows > 1 && r->first_done)
        fprintf(out, "fairness:    Jain's index %.4f (bytes per flow when the first finished)\n",
               r->jain);
    else if (r->flows > 1)
        fprintf(out, "fairness:    n/a (no flow finished)\n");
    if (xfer_report_extended(p))
        ext_text(out, p, r);
    fprintf(out, "link stats:  to client %" PRIu64 " sent, %" PRIu64 " lost, %" PRIu64
           " queue drops; to server %" PRIu64 " sent, %" PRIu64 " lost, %" PRIu64
           " queue drops\n",
           r->to_client.sent, r->to_client.dropped, r->to_client.queue_drops, r->to_server.sent,
           r->to_server.dropped, r->to_server.queue_drops);
    /* Receiver-side limits that shape recovery (zero when not hit); the
     * stats are the first pair's stacks (flow 0's). */
    const struct ns_stats *rs = r->flow[0].upload ? &r->server_stats : &r->client_stats;
    fprintf(out, "receiver:    %" PRIu64 " out-of-order segments refused (tcp_ooo_limit), %" PRIu64
           " checksum errors, %" PRIu64 " packets dropped in all\n",
           rs->tcp_ooo_limit, rs->checksum_errors, rs->rx_dropped);
    const struct ns_stats *snd = r->flow[0].upload ? &r->client_stats : &r->server_stats;
    if (p->to_client.blackhole_mtu || p->to_server.blackhole_mtu || snd->tcp_plpmtud_probes ||
        snd->tcp_plpmtud_blackhole) {
        /* A PMTU black hole (--blackhole) and the sender's search
         * (RFC 4821, tcp_mtu_probing); flow 0's sender. */
        fprintf(out, "path MTU:    %" PRIu64 " packets over the black hole dropped; sender's search:"
                " %" PRIu64 " probes (%" PRIu64 " acknowledged, %" PRIu64 " lost alone), %" PRIu64
                " black-hole timeouts",
                r->to_client.too_big + r->to_server.too_big, snd->tcp_plpmtud_probes,
                snd->tcp_plpmtud_success, snd->tcp_plpmtud_fail, snd->tcp_plpmtud_blackhole);
        if (r->flow[0].info_ok)
            fprintf(out, ", final MSS %u", r->flow[0].info.snd_mss);
        fprintf(out, "\n");
    }
    if (p->offload)
        fprintf(out, "offload:     sender %" PRIu64 " super-segments for %" PRIu64
               " wire segments (TSO), %" PRIu64 " TCP segments in all\n",
               snd->gso_tx, snd->gso_tx_segs, snd->tcp_tx_segs);
    fprintf(out, "trace hash:  %016" PRIx64 "\n", r->trace_hash);
    fprintf(out, "wall:        %.3f s, %.1fx real time, %.1f MB/s of simulated payload per wall second\n",
           wall, wall > 0 ? sim_s / wall : 0, wall > 0 ? (double)r->payload_bytes / wall / 1e6 : 0);
}

void xfer_report_json(FILE *out, const struct xfer_params *p, const struct xfer_result *r,
                      double wall)
{
    uint64_t conn_timeouts = timeouts(r);
    const struct ns_sim_link_params *l = &p->to_client;
    struct totals t = totals(r);
    double sim_s = (double)r->duration / 1e9;
    const struct ns_tcp_info *f0 = &r->flow[0].info;
    char ccb[64];
    fprintf(out, "{\"bytes\": %" PRIu64 ", \"bytes_expected\": %" PRIu64 ", \"intact\": %s, ",
            r->payload_bytes, p->bytes * r->flows, r->intact ? "true" : "false");
    json_kv(out, "outcome", outcome(r));
    fprintf(out, "\"time_limit_s\": %.3f, "
           "\"sim_seconds\": %.9f, \"goodput_bps\": %.0f, \"link_share\": %.6f, "
           "\"retransmits\": %" PRIu64 ", \"fast_retransmits\": %" PRIu64 ", \"rto_count\": %" PRIu64
           ", \"spurious_rtos\": %" PRIu64 ", \"sack_recoveries\": %" PRIu64 ", \"timeouts\": %" PRIu64
           ", ",
           (double)(p->time_limit ? p->time_limit : xfer_default_limit(p)) / 1e9, sim_s,
           t.goodput_bps, l->rate_bps ? t.goodput_bps / (double)l->rate_bps : 0.0, t.retrans, t.fast,
           t.rto, t.spurious, t.sack_rec, conn_timeouts);
    fprintf(out, "\"cwnd\": %u, \"ssthresh\": %u, \"srtt_ms\": %.6f, ", r->flow[0].info_ok ? f0->cwnd : 0,
           r->flow[0].info_ok && f0->ssthresh < (1u << 30) ? f0->ssthresh : 0,
           r->flow[0].info_ok ? (double)f0->srtt / 1e6 : 0.0);
    if (r->flow[0].info_ok) /* flow 0's RACK-TLP counters (issue 12) */
        fprintf(out, "\"tlp_probes\": %" PRIu64 ", \"tlp_recoveries\": %" PRIu64
                ", \"dsacks\": %" PRIu64 ", \"reo_wnd_grows\": %" PRIu64
                ", \"rto_in_recovery\": %" PRIu64 ", \"hystart_css\": %" PRIu64
                ", \"hystart_exits\": %" PRIu64 ", ",
                f0->tlp_probes, f0->tlp_recoveries, f0->dsacks_rcvd, f0->reo_wnd_grows,
                f0->rto_in_recovery, f0->hystart_css, f0->hystart_exits);
    if (r->first_done)
        fprintf(out, "\"flows\": %u, \"jain\": %.6f, \"flow_goodput_bps\": [", r->flows, r->jain);
    else /* no flow finished: no share to compare */
        fprintf(out, "\"flows\": %u, \"jain\": null, \"flow_goodput_bps\": [", r->flows);
    for (unsigned i = 0; i < r->flows; i++) {
        const struct xfer_flow *f = &r->flow[i];
        fprintf(out, "%s%.0f", i ? ", " : "", f->done_at ? (double)f->bytes * 8 / ((double)f->done_at / 1e9) : 0.0);
    }
    fputs("], ", out);
    json_kv(out, "direction", direction(r));
    fprintf(out, "\"ip\": %d, ", p->v6 ? 6 : 4);
    json_kv(out, "cc", xfer_report_cc(r, ccb, sizeof ccb));
    fprintf(out, "\"seed\": %" PRIu64
           ", \"rate_bps\": %" PRIu64 ", \"delay_ms\": %.6f, \"drop\": %.6f, \"dup\": %.6f, "
           "\"reorder\": %.6f, \"corrupt\": %.6f, \"queue\": %u, \"mtu\": %u, ",
           p->seed, l->rate_bps, (double)l->delay / 1e6, l->drop, l->dup, l->reorder, l->corrupt,
           l->queue_limit, p->mtu);
    const struct ns_stats *rs = r->flow[0].upload ? &r->server_stats : &r->client_stats;
    fprintf(out, "\"ooo_refused\": %" PRIu64 ", ", rs->tcp_ooo_limit);
    const struct ns_stats *snd = r->flow[0].upload ? &r->client_stats : &r->server_stats;
    fprintf(out, "\"blackhole_mtu\": %u, \"too_big_drops\": %" PRIu64 ", \"pmtu_probes\": %" PRIu64
            ", \"pmtu_probes_ok\": %" PRIu64 ", \"pmtu_probes_lost\": %" PRIu64
            ", \"pmtu_blackhole_timeouts\": %" PRIu64 ", \"snd_mss\": %u, ",
            l->blackhole_mtu, r->to_client.too_big + r->to_server.too_big, snd->tcp_plpmtud_probes,
            snd->tcp_plpmtud_success, snd->tcp_plpmtud_fail, snd->tcp_plpmtud_blackhole,
            r->flow[0].info_ok ? r->flow[0].info.snd_mss : 0);
    char hash[24];
    snprintf(hash, sizeof hash, "%016" PRIx64, r->trace_hash);
    fprintf(out, "\"link_drops\": %" PRIu64 ", \"queue_drops\": %" PRIu64 ", ",
           r->to_client.dropped + r->to_server.dropped,
           r->to_client.queue_drops + r->to_server.queue_drops);
    json_kv(out, "trace_hash", hash);
    if (xfer_report_extended(p))
        ext_json(out, p, r);
    fprintf(out, "\"wall_seconds\": %.6f, \"speedup\": %.3f, \"payload_bytes_per_wall_second\": %.0f}\n", wall,
           wall > 0 ? sim_s / wall : 0.0, wall > 0 ? (double)r->payload_bytes / wall : 0.0);
}
