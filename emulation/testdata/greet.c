/* A program that needs a shared library the test built (libgreet.so), for the ssh
 * executor's shipping of DT_NEEDED libraries. */
const char* greeting(void);
#include <stdio.h>
int main(void) {
  printf("%s\n", greeting());
  return 0;
}
