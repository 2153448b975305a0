static_assert(BASE == 1, "");
