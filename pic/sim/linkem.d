pic/sim/linkem.o: sim/linkem.c sim/linkem.h sim/sim.h src/stack.h \
 src/config.h src/types.h src/pkt.h src/netdev.h src/stats.h src/types.h \
 sim/sim_impl.h src/netdev.h sim/eventq.h src/heap.h src/rng.h \
 src/config.h
sim/linkem.h:
sim/sim.h:
src/stack.h:
src/config.h:
src/types.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
src/types.h:
sim/sim_impl.h:
src/netdev.h:
sim/eventq.h:
src/heap.h:
src/rng.h:
src/config.h:
