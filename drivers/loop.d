drivers/loop.o: drivers/loop.c drivers/loop.h src/netdev.h src/stack.h \
 src/config.h src/types.h src/pkt.h src/netdev.h src/stats.h
drivers/loop.h:
src/netdev.h:
src/stack.h:
src/config.h:
src/types.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
