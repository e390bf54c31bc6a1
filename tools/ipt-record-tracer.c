/* placeholder: replaced by its owner */
typedef int ipt_placeholder_t;
