drivers/pcap_replay.o: drivers/pcap_replay.c drivers/pcap_replay.h \
 apps/app.h src/socket.h src/types.h src/stack.h src/config.h src/pkt.h \
 src/netdev.h src/stats.h src/config.h drivers/capture.h netdev/pcapout.h \
 src/types.h src/netdev.h drivers/pcap_pkt.h src/wire.h \
 netdev/pcap_read.h drivers/pcap_verdict.h src/addr.h src/checksum.h
drivers/pcap_replay.h:
apps/app.h:
src/socket.h:
src/types.h:
src/stack.h:
src/config.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
src/config.h:
drivers/capture.h:
netdev/pcapout.h:
src/types.h:
src/netdev.h:
drivers/pcap_pkt.h:
src/wire.h:
netdev/pcap_read.h:
drivers/pcap_verdict.h:
src/addr.h:
src/checksum.h:
