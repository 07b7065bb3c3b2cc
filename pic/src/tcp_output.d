pic/src/tcp_output.o: src/tcp_output.c src/checksum.h src/types.h \
 src/offload.h src/pkt.h src/netdev.h src/stats.h src/tcp.h \
 src/stack_impl.h src/addr.h src/frag.h src/heap.h src/rng.h src/socket.h \
 src/wire.h src/stack.h src/config.h src/tcp_buf.h src/tcp_cc.h
src/checksum.h:
src/types.h:
src/offload.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
src/tcp.h:
src/stack_impl.h:
src/addr.h:
src/frag.h:
src/heap.h:
src/rng.h:
src/socket.h:
src/wire.h:
src/stack.h:
src/config.h:
src/tcp_buf.h:
src/tcp_cc.h:
