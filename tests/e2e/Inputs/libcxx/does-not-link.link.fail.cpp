int undefined_function();
int main() { return undefined_function(); }
