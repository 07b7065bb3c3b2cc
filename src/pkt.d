src/pkt.o: src/pkt.c src/pkt.h src/netdev.h src/types.h
src/pkt.h:
src/netdev.h:
src/types.h:
