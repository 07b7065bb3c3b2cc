pic/apps/registry.o: apps/registry.c apps/app.h src/socket.h src/types.h \
 src/stack.h src/config.h src/pkt.h src/netdev.h src/stats.h
apps/app.h:
src/socket.h:
src/types.h:
src/stack.h:
src/config.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
