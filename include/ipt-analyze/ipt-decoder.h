/* placeholder: replaced by its owner */
#pragma once
