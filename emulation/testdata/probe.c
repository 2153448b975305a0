/* A test program the emulation tests build for several architectures (native, aarch64
 * static and dynamic, riscv64 static) and run under QEMU or over ssh. Its arguments are a
 * list of actions done in order:
 *   arch             print the architecture it was compiled for
 *   args             print argv, one "argv[i]=..." line each
 *   cat              copy stdin to stdout
 *   out TEXT         print TEXT and a newline to stdout
 *   err TEXT         print TEXT and a newline to stderr
 *   write FILE TEXT  create FILE holding TEXT and a newline
 *   read FILE        print FILE's contents
 *   env NAME         print NAME's value, or "(unset)"
 *   pwd              print the working directory
 *   sleep N          sleep N seconds
 *   exit N           exit with status N
 *   segv             die of SIGSEGV
 *   abort            die of SIGABRT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char* arch(void) {
#if defined(__aarch64__)
  return "aarch64";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__x86_64__)
  return "x86_64";
#elif defined(__i386__)
  return "i386";
#else
  return "other";
#endif
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* p1 = i + 1 < argc ? argv[i + 1] : "";
    const char* p2 = i + 2 < argc ? argv[i + 2] : "";
    if (!strcmp(a, "arch")) {
      printf("%s\n", arch());
    } else if (!strcmp(a, "args")) {
      for (int j = 0; j < argc; ++j) printf("argv[%d]=%s\n", j, argv[j]);
    } else if (!strcmp(a, "cat")) {
      int c;
      while ((c = getchar()) != EOF) putchar(c);
    } else if (!strcmp(a, "out")) {
      printf("%s\n", p1);
      ++i;
    } else if (!strcmp(a, "err")) {
      fflush(stdout);
      fprintf(stderr, "%s\n", p1);
      ++i;
    } else if (!strcmp(a, "write")) {
      FILE* f = fopen(p1, "w");
      if (!f) {
        perror(p1);
        return 2;
      }
      fprintf(f, "%s\n", p2);
      fclose(f);
      i += 2;
    } else if (!strcmp(a, "read")) {
      FILE* f = fopen(p1, "r");
      if (!f) {
        perror(p1);
        return 2;
      }
      int c;
      while ((c = fgetc(f)) != EOF) putchar(c);
      fclose(f);
      ++i;
    } else if (!strcmp(a, "env")) {
      const char* v = getenv(p1);
      printf("%s\n", v ? v : "(unset)");
      ++i;
    } else if (!strcmp(a, "pwd")) {
      char buf[4096];
      printf("%s\n", getcwd(buf, sizeof buf) ? buf : "?");
    } else if (!strcmp(a, "sleep")) {
      fflush(stdout);
      sleep((unsigned)atoi(p1));
      ++i;
    } else if (!strcmp(a, "exit")) {
      fflush(stdout);
      return atoi(p1);
    } else if (!strcmp(a, "segv")) {
      fflush(stdout);
      signal(SIGSEGV, SIG_DFL);
      raise(SIGSEGV);
    } else if (!strcmp(a, "abort")) {
      fflush(stdout);
      abort();
    } else {
      fprintf(stderr, "probe: unknown action '%s'\n", a);
      return 64;
    }
  }
  return 0;
}
