pic/drivers/pcap_verdict.o: drivers/pcap_verdict.c drivers/pcap_verdict.h \
 src/types.h drivers/pcap_pkt.h src/wire.h src/types.h src/addr.h \
 src/trace.h
drivers/pcap_verdict.h:
src/types.h:
drivers/pcap_pkt.h:
src/wire.h:
src/types.h:
src/addr.h:
src/trace.h:
