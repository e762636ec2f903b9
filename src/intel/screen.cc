#include "intel/screen.h"
