src/config.o: src/config.c src/config.h src/types.h src/addr.h \
 src/tcp_cc.h src/tcp.h src/stack_impl.h src/frag.h src/pkt.h \
 src/netdev.h src/heap.h src/rng.h src/socket.h src/wire.h src/stack.h \
 src/stats.h src/tcp_buf.h
src/config.h:
src/types.h:
src/addr.h:
src/tcp_cc.h:
src/tcp.h:
src/stack_impl.h:
src/frag.h:
src/pkt.h:
src/netdev.h:
src/heap.h:
src/rng.h:
src/socket.h:
src/wire.h:
src/stack.h:
src/stats.h:
src/tcp_buf.h:
