lab/units.o: lab/units.c lab/units.h src/types.h
lab/units.h:
src/types.h:
