pic/src/checksum.o: src/checksum.c src/checksum.h src/types.h
src/checksum.h:
src/types.h:
