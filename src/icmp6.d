src/icmp6.o: src/icmp6.c src/checksum.h src/types.h src/stack_impl.h \
 src/addr.h src/frag.h src/pkt.h src/netdev.h src/heap.h src/rng.h \
 src/socket.h src/wire.h src/stack.h src/config.h src/stats.h
src/checksum.h:
src/types.h:
src/stack_impl.h:
src/addr.h:
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
