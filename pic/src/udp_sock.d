pic/src/udp_sock.o: src/udp_sock.c src/stack_impl.h src/addr.h \
 src/types.h src/frag.h src/pkt.h src/netdev.h src/heap.h src/rng.h \
 src/socket.h src/wire.h src/stack.h src/config.h src/stats.h
src/stack_impl.h:
src/addr.h:
src/types.h:
src/frag.h:
src/pkt.h:
src/netdev.h:
src/heap.h:
src/rng.h:
src/socket.h:
src/wire.h:
src/stack.h:
src/config.h:
src/stats.h:
