// XFAIL: *
int main() { return 1; }
