src/stack.o: src/stack.c src/stack.h src/config.h src/types.h src/pkt.h \
 src/netdev.h src/stats.h src/offload.h src/stack_impl.h src/addr.h \
 src/frag.h src/heap.h src/rng.h src/socket.h src/wire.h src/tcp_buf.h \
 src/tcp.h
src/stack.h:
src/config.h:
src/types.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
src/offload.h:
src/stack_impl.h:
src/addr.h:
src/frag.h:
src/heap.h:
src/rng.h:
src/socket.h:
src/wire.h:
src/tcp_buf.h:
src/tcp.h:
