netdev/pcap_read.o: netdev/pcap_read.c netdev/pcap_read.h src/types.h \
 src/wire.h src/types.h
netdev/pcap_read.h:
src/types.h:
src/wire.h:
src/types.h:
