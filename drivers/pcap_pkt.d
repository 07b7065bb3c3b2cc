drivers/pcap_pkt.o: drivers/pcap_pkt.c drivers/pcap_pkt.h src/wire.h \
 src/types.h
drivers/pcap_pkt.h:
src/wire.h:
src/types.h:
