#include <gtest/gtest.h>

#include <stdexcept>

#include "greet.h"

TEST(Greet, SaysHello) { EXPECT_EQ(greet("world"), "Hello, world!"); }
TEST(Greet, RefusesAnEmptyName) { EXPECT_THROW(greet(""), std::invalid_argument); }
