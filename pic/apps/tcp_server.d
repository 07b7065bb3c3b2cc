pic/apps/tcp_server.o: apps/tcp_server.c apps/tcp_server.h apps/app.h \
 src/socket.h src/types.h src/stack.h src/config.h src/pkt.h src/netdev.h \
 src/stats.h
apps/tcp_server.h:
apps/app.h:
src/socket.h:
src/types.h:
src/stack.h:
src/config.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
