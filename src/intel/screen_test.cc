#include <gtest/gtest.h>
#include "intel/screen.h"
