// Placeholder until the lead writes mmtutor-bench.
int main() { return 0; }
