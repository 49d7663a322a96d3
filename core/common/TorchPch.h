// Precompiled header shared by every torch-using target (see cmake/LumenTargets.cmake).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <torch/torch.h>
#include <vector>
