extern int printf(const char*, ...);
extern void* socket_open(int);
int counter = 3;
static int hidden(int x) { return x * 2; }
int exported_add(int a, int b) { return a + b + hidden(counter); }
void _start(void) { exported_add(1, 2); socket_open(4); printf("x"); for (;;) {} }
