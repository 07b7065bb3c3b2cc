src/socket.o: src/socket.c src/socket.h src/types.h src/checksum.h \
 src/stack_impl.h src/addr.h src/frag.h src/pkt.h src/netdev.h src/heap.h \
 src/rng.h src/wire.h src/stack.h src/config.h src/stats.h src/tcp.h \
 src/tcp_buf.h
src/socket.h:
src/types.h:
src/checksum.h:
src/stack_impl.h:
src/addr.h:
src/frag.h:
src/pkt.h:
src/netdev.h:
src/heap.h:
src/rng.h:
src/wire.h:
src/stack.h:
src/config.h:
src/stats.h:
src/tcp.h:
src/tcp_buf.h:
