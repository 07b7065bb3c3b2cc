apps/http.o: apps/http.c apps/http_parse.h apps/sha256.h \
 apps/tcp_server.h apps/app.h src/socket.h src/types.h src/stack.h \
 src/config.h src/pkt.h src/netdev.h src/stats.h
apps/http_parse.h:
apps/sha256.h:
apps/tcp_server.h:
apps/app.h:
src/socket.h:
src/types.h:
src/stack.h:
src/config.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
