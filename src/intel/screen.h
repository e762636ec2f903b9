// Emergency screening (紧急事项甄别): placeholder interface, implemented in screen.cc.
#pragma once
