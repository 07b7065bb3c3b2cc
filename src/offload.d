src/offload.o: src/offload.c src/offload.h src/pkt.h src/netdev.h \
 src/types.h src/stats.h src/checksum.h src/wire.h
src/offload.h:
src/pkt.h:
src/netdev.h:
src/types.h:
src/stats.h:
src/checksum.h:
src/wire.h:
